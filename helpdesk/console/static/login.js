/* Login: post to the auth API; the session cookie and CSRF cookie come back; then go to the member's page. */
"use strict";

(() => {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      await Y.api("POST", "/api/v1/auth/login", {
        login: form.login.value.trim(),
        password: form.password.value,
      });
      window.location.assign("/console/");  // the server sends each role (and a required password change) on
    } catch (e) {
      error.textContent = e.code === "login-throttled" ? Y.t("login.throttled") : Y.t("login.failed");
      error.hidden = false;
      form.password.value = "";
      form.password.focus();
    }
  });
  form.login.focus();
})();
