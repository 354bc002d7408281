/* Change your own password: post to the auth API, then go to your page (the server says which). */
"use strict";

(() => {
  const form = document.getElementById("password-form");
  const error = document.getElementById("password-error");
  const show = (text) => { error.textContent = text; error.hidden = false; };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (form.new.value !== form.again.value) { show(Y.t("password.mismatch")); form.again.focus(); return; }
    try {
      await Y.api("POST", "/api/v1/auth/password", {
        current_password: form.current.value,
        new_password: form.new.value,
      });
      Y.toast(Y.t("password.done"));
      window.location.assign("/console/");
    } catch (e) {
      show(e.message);  // the server's sentence: wrong current password, too short, a common password
    }
  });
  form.current.focus();
})();
