/* Voice call from the escalation view: getUserMedia + RTCPeerConnection, signalling through the helpdesk.
   ICE candidates are gathered before the offer is sent (no trickle): one offer, one answer. No recording. */
"use strict";

(() => {
  const id = document.body.dataset.escalation;
  const base = `/api/v1/escalations/${id}`;
  const callBtn = document.getElementById("call-btn");
  const hangupBtn = document.getElementById("hangup-btn");
  const statusBox = document.getElementById("call-status");
  const remoteAudio = document.getElementById("call-audio");
  const SILENT_AFTER_MS = 2500;  // no audio bytes for this long in a connected call: dropped (said within 5 s)
  const call = { id: null, pc: null, stream: null, analyser: null, timer: null, lastBytes: 0, lastChange: 0,
    state: "idle", allowed: false, unavailable: null };

  function say(key, extra = "") {
    statusBox.textContent = Y.t(key) + extra;
  }

  function render() {
    const busy = call.pc !== null;
    callBtn.disabled = busy || !call.allowed || Boolean(call.unavailable);
    hangupBtn.disabled = !busy;
    callBtn.title = call.unavailable ? `${Y.t("call.unavailable")}: ${Y.label("call_unavailable", call.unavailable)}` : "";
    if (!busy && call.unavailable) say("call.unavailable", `: ${Y.label("call_unavailable", call.unavailable)}`);
  }

  function gathered(pc) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
      pc.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, 3000);  // some networks never finish: send what we have
    });
  }

  async function signal(kind, sdp) {
    await Y.api("POST", `${base}/call/signal`, { call_id: call.id, kind, ...(sdp ? { sdp } : {}) });
  }

  function listen(stream) {
    remoteAudio.srcObject = stream;
    remoteAudio.play().catch(() => {});
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 8192;
    context.createMediaStreamSource(stream).connect(analyser);
    call.analyser = analyser;
  }

  function peakHz() {
    const analyser = call.analyser;
    if (!analyser) return 0;
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    let best = 5;
    for (let i = 5; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
    return bins[best] < -90 ? 0 : (best * analyser.context.sampleRate) / analyser.fftSize;
  }

  async function watch() {  // a connected call whose incoming audio stops is a dropped call
    if (!call.pc || call.state !== "connected") return;
    const stats = await call.pc.getStats();
    let bytes = 0;
    stats.forEach((s) => { if (s.type === "inbound-rtp" && s.kind === "audio") bytes += s.bytesReceived || 0; });
    const now = Date.now();
    if (bytes !== call.lastBytes) { call.lastBytes = bytes; call.lastChange = now; }
    else if (now - call.lastChange > SILENT_AFTER_MS) finish("call.dropped", "dropped");
  }

  async function start() {
    if (call.pc) return;
    try {
      const started = await Y.api("POST", `${base}/call`);
      call.id = started.call_id;
      say("call.ringing");
      call.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      const servers = started.ice_servers.map((s) => ({ urls: s.urls,
        ...(s.username ? { username: s.username, credential: s.credential } : {}) }));
      const pc = new RTCPeerConnection({ iceServers: servers,
        iceTransportPolicy: window.YORISOI_CALL_RELAY_ONLY ? "relay" : "all" });
      call.pc = pc;
      render();
      call.stream.getTracks().forEach((track) => pc.addTrack(track, call.stream));
      pc.addEventListener("track", (event) => listen(event.streams[0] || new MediaStream([event.track])));
      pc.addEventListener("connectionstatechange", () => {
        if (pc.connectionState === "connected" && call.state !== "connected") {
          call.state = "connected";
          call.lastChange = Date.now();
          say("call.connected");
        } else if (pc.connectionState === "failed" && call.pc === pc) finish("call.dropped", "dropped");
      });
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      await signal("offer", pc.localDescription.sdp);
      call.timer = setInterval(watch, 500);
    } catch (e) {
      finish("call.failed", call.id ? "hangup" : null, e.message ? `: ${e.message}` : "");
    }
  }

  async function finish(key, send, extra = "") {
    const pc = call.pc;
    const callId = call.id;
    if (send && callId && pc) {  // tell the kiosk first, so it does not take the closing media for a drop
      try { await Y.api("POST", `${base}/call/signal`, { call_id: callId, kind: send }); } catch (e) { /* ended */ }
      send = null;
    }
    clearInterval(call.timer);
    call.pc = null;
    call.state = "idle";
    call.analyser = null;
    if (call.stream) call.stream.getTracks().forEach((t) => t.stop());  // the microphone closes with the call
    call.stream = null;
    if (pc) pc.close();
    remoteAudio.srcObject = null;
    say(key, extra);
    render();
    if (send && callId) {
      try { await Y.api("POST", `${base}/call/signal`, { call_id: callId, kind: send }); } catch (e) { /* ended */ }
    }
  }

  async function onSignal(s) {
    const c = s.call;
    if (!c || c.call_id !== call.id || !call.pc) return;
    if (c.kind === "answer" && c.sdp) await call.pc.setRemoteDescription({ type: "answer", sdp: c.sdp });
    else if (c.kind === "decline") finish("call.declined", null);
    else if (c.kind === "unavailable") finish("call.unavailable", null);
    else if (c.kind === "hangup") finish("call.ended_by_resident", null);
    else if (c.kind === "dropped") finish("call.dropped", null);
  }

  window.addEventListener("yorisoi-signal", (event) => { onSignal(event.detail); });
  window.addEventListener("yorisoi-context", (event) => {
    const ctx = event.detail;
    call.allowed = Boolean(ctx.holder && ctx.holder.me) && ctx.status === "claimed";
    call.unavailable = ctx.call_unavailable || null;
    if (call.pc && !call.allowed) finish("call.ended", "hangup");
    render();
  });
  callBtn.addEventListener("click", start);
  hangupBtn.addEventListener("click", () => finish("call.ended", "hangup"));
  window.addEventListener("beforeunload", () => { if (call.pc) finish("call.ended", "hangup"); });
  window.yorisoiCall = { peakHz, state: () => call.state, id: () => call.id, _pc: () => call.pc };  // tests, bench
  render();
})();
