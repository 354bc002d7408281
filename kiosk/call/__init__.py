"""The kiosk's side of a voice call: WebRTC media with aiortc in its own asyncio thread (`media`), and the call line
that the runtime drives (`line`): ringing, answering after 話す, reporting connected / dropped."""
