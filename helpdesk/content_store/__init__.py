"""The helpdesk's content room: immutable signed content versions, per-site rollouts, pack downloads for kiosks."""
