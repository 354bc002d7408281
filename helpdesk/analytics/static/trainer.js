/* Trainer pages: log out (the session's CSRF token is in its cookie; the API ends the session). */
"use strict";

(() => {
  const button = document.getElementById("logout");
  if (!button) return;
  button.addEventListener("click", async () => {
    const match = document.cookie.match(/(?:^|; )yorisoi_csrf=([^;]*)/);
    try {
      await fetch("/api/v1/auth/logout", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": match ? decodeURIComponent(match[1]) : "" },
      });
    } finally {
      window.location.assign("/console/login");
    }
  });
})();
