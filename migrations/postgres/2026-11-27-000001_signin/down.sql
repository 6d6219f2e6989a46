DROP INDEX agencies_brm_owner;
DROP TABLE api_tokens;
DROP TABLE sessions;
