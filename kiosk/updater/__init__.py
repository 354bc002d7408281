"""The kiosk's content updater: download, verify, lint and stage published packs; switch at the start screen."""
