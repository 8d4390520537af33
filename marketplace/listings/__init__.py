"""Technology offers and needs: lifecycle, revisions, DOST moderation, attachments."""
