"""Discord adapters (one concern per extension): translate events to core calls and results to embeds/views."""
