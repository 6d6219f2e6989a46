DROP INDEX outbox_invitation;
DROP TABLE invitation_links;
