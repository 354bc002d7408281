"""The kiosk's line to the helpdesk: the durable outbox and its sender, the courier that feeds it, the HTTP client,
the session journal and the help line (escalations and staff replies). Imports the wire contract, never Kivy."""
