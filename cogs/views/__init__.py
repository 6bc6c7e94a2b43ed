"""Discord adapters shared by the moderation cogs: service wiring, card rendering, publisher, action executor."""
