"""Carries out moderator actions on Discord (delete, timeout, DM) after checking the bot's permissions, sends members
their notices (with the Appeal button, ``discord_edge/appeals.py``) and tells whether a member is staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord
from discord.ext import commands

from bot.moderation.access import may_moderate
from bot.moderation.models import Case
from bot.moderation.notices import Notice, NoticeKind, notice_text
from bot.moderation.ports import ActionError
from bot.moderation.state import REQUIRED_BOT_PERMISSIONS, Action
from discord_edge.appeals import notice_view


def _permission_name(attr: str) -> str:
    return attr.replace("_", " ").title()


def _translate(exc: discord.HTTPException, what: str) -> ActionError:
    if isinstance(exc, discord.NotFound):
        return ActionError("not_found", f"{what}: not found")
    if isinstance(exc, discord.Forbidden):
        if exc.code == 50007:
            return ActionError("cannot_dm", "the member does not accept DMs from the bot")
        return ActionError("missing_permission", f"{what}: Discord refused ({exc.text or 'missing permissions'})")
    return ActionError("failed", f"{what}: Discord error {exc.status}")


class DiscordActionExecutor:
    """The :class:`bot.moderation.ports.ActionExecutor` over discord.py."""

    def __init__(self, bot: commands.Bot | commands.AutoShardedBot) -> None:
        self._bot = bot

    async def missing_permissions(self, case: Case, action: Action) -> list[str]:
        """Permissions the bot lacks for ``action`` in the case's channel (empty when unknown)."""
        needed = REQUIRED_BOT_PERMISSIONS.get(action, ())
        guild = self._bot.get_guild(case.guild_id)
        if not needed or guild is None or guild.me is None:
            return []
        channel = guild.get_channel_or_thread(case.channel_id)
        perms = channel.permissions_for(guild.me) if channel is not None else guild.me.guild_permissions
        if action is Action.TIMEOUT:
            perms = guild.me.guild_permissions
        return [_permission_name(name) for name in needed if not getattr(perms, name)]

    async def delete_message(self, case: Case, reason: str | None) -> None:
        """Delete the flagged message."""
        try:
            await self._bot.http.delete_message(case.channel_id, case.message_id, reason=reason)
        except discord.HTTPException as exc:
            raise _translate(exc, "deleting the message") from exc

    async def timeout_member(self, case: Case, minutes: int, reason: str | None) -> None:
        """Time the author out (Discord enforces role hierarchy: a 403 is reported as missing permission)."""
        until = datetime.now(UTC) + timedelta(minutes=minutes)
        try:
            await self._bot.http.edit_member(
                case.guild_id, case.author_id, reason=reason, communication_disabled_until=until.isoformat()
            )
        except discord.HTTPException as exc:
            raise _translate(exc, "timing the member out") from exc

    async def warn_member(self, case: Case, reason: str, *, appeal: bool = False) -> None:
        """DM the author the warning (``appeal``: with the Appeal button)."""
        await self.send_notice(case, Notice(NoticeKind.WARN, reason=reason, appeal=appeal))

    async def send_notice(self, case: Case, notice: Notice) -> None:
        """DM the author a notice about their case; the Appeal button when ``notice.appeal``."""
        guild = self._bot.get_guild(case.guild_id)
        where = f"**{guild.name}**" if guild is not None else "the server"
        text = notice_text(notice, case, where)
        try:
            user = self._bot.get_user(case.author_id) or await self._bot.fetch_user(case.author_id)
            if notice.appeal:
                await user.send(text, allowed_mentions=discord.AllowedMentions.none(), view=notice_view(case.id))
            else:
                await user.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            raise _translate(exc, "sending the notice") from exc

    async def lift_timeout(self, case: Case, reason: str | None) -> None:
        """End the author's timeout now."""
        try:
            await self._bot.http.edit_member(case.guild_id, case.author_id, reason=reason,
                                             communication_disabled_until=None)
        except discord.HTTPException as exc:
            raise _translate(exc, "lifting the timeout") from exc

    async def is_staff(self, case: Case, moderator_role_id: int | None) -> bool | None:
        """Administrators, Manage Server, and whoever may act on cases (None when the member cannot be read)."""
        guild = self._bot.get_guild(case.guild_id)
        if guild is None:
            return None
        member = guild.get_member(case.author_id)
        if member is None:
            try:
                member = await guild.fetch_member(case.author_id)
            except discord.NotFound:
                return False  # not in the server any more: not staff
            except discord.HTTPException:
                return None
        perms = member.guild_permissions
        return perms.administrator or perms.manage_guild or may_moderate(
            [role.id for role in member.roles], manage_messages=perms.manage_messages,
            moderator_role_id=moderator_role_id)
