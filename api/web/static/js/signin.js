// Sign-in: POST /auth/login sets the session cookie; then on to the page asked for.

import { api } from "./api.js";

const form = document.getElementById("signin-form");
const error = document.getElementById("signin-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const button = document.getElementById("signin-submit");
  button.disabled = true;
  button.textContent = "Signing in…";
  try {
    await api("/auth/login", {
      method: "POST",
      body: { email: form.email.value.trim(), password: form.password.value },
    });
    window.location.assign(form.dataset.next || "/patients");
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
    button.disabled = false;
    button.textContent = "Sign in";
    // The focus stays in the form (a disabled button drops it to the body): on the password, marked invalid.
    form.password.setAttribute("aria-invalid", "true");
    form.password.setAttribute("aria-describedby", "signin-error");
    form.password.select();
    form.password.focus();
  }
});

for (const button of document.querySelectorAll(".demo-user")) {
  button.addEventListener("click", () => {
    form.email.value = button.dataset.email;
    form.password.value = button.dataset.password;
    form.password.focus();
  });
}
