"""Authentication of the HTTP API: sign-in, bearer tokens, cookie sessions with CSRF, client
credentials and sign-in throttling. Every request resolves to one ``Principal`` of one tenant."""
