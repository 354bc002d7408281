/* Login: post to the auth API; the session cookie and CSRF cookie come back; then go to the member's page. */
"use strict";

(() => {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      const result = await Y.api("POST", "/api/v1/auth/login", {
        login: form.login.value.trim(),
        password: form.password.value,
      });
      const role = result.staff.role;
      const homes = { staff: "/console/queue", admin: "/console/admin/sites", editor: "/console/editor" };
      window.location.assign(homes[role] || "/console/login?role=none");
    } catch (e) {
      error.textContent = e.code === "login-throttled" ? Y.t("login.throttled") : Y.t("login.failed");
      error.hidden = false;
      form.password.value = "";
      form.password.focus();
    }
  });
  form.login.focus();
})();
