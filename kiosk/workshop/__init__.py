"""Workshop replay (`yorisoi kiosk --workshop FILE`): `frames` turns an exported session into the kiosk's own screens
(pure), `window` draws them for a trainer (Kivy), `app` is the Kivy app around them. No runtime, journal or network."""
