// The goal form, enhanced: the SMART checklist live (the server runs the same checks as
// saving does), errors that go away as each field is fixed, and only the chosen measure's
// fields. Without this script every field shows and the server says what is wrong.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("goal-form");
  if (!form) return;

  // Until a measure is chosen neither kind's fields show: they would only be noise.
  const showMeasure = () => {
    const chosen = form.querySelector("input[name=measure]:checked");
    form.querySelectorAll("[data-measure]").forEach((block) => {
      block.hidden = !chosen || block.dataset.measure !== chosen.value;
    });
  };
  form.querySelectorAll("input[name=measure]").forEach((r) => r.addEventListener("change", showMeasure));
  showMeasure();

  // A field's error as crispy-forms draws it: <div id="id_<name>_error"> inside the
  // field's <div id="div_id_<name>">, with the inputs marked is-invalid.
  const clearError = (name, box) => {
    const feedback = document.getElementById(`id_${name}_error`);
    if (feedback) feedback.remove();
    box.querySelectorAll(".is-invalid").forEach((input) => {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      const described = (input.getAttribute("aria-describedby") || "")
        .split(" ")
        .filter((id) => id && id !== `id_${name}_error`);
      if (described.length) input.setAttribute("aria-describedby", described.join(" "));
      else input.removeAttribute("aria-describedby");
    });
  };

  const rewordError = (name, messages) => {
    const feedback = document.getElementById(`id_${name}_error`);
    if (!feedback) return;
    const paragraphs = messages.map((message, i) => {
      const p = document.createElement("p");
      p.id = `error_${i + 1}_id_${name}`;
      const strong = document.createElement("strong");
      strong.textContent = message;
      p.append(strong);
      return p;
    });
    feedback.replaceChildren(...paragraphs);
  };

  // Only the errors already on the page are touched: a field someone has not reached
  // yet is not scolded while they type elsewhere.
  const updateErrors = (errors) => {
    form.querySelectorAll('[id^="div_id_"]').forEach((box) => {
      const name = box.id.slice("div_id_".length);
      if (!document.getElementById(`id_${name}_error`)) return;
      if (errors[name]) rewordError(name, errors[name]);
      else clearError(name, box);
    });
  };

  const updateChecklist = (criteria) => {
    Object.entries(criteria).forEach(([name, met]) => {
      const item = document.querySelector(`.smart-item[data-criterion="${name}"]`);
      if (!item) return;
      item.classList.toggle("is-met", met);
      item.querySelector(".smart-mark").textContent = met ? "✓" : "○";
      // The words come from Django's JavaScript catalogue (loaded before this script).
      item.querySelector(".smart-state").textContent = met
        ? pgettext("SMART criterion", "met")
        : pgettext("SMART criterion", "not met yet");
    });
  };

  let timer = null;
  const refresh = async () => {
    let response;
    try {
      response = await fetch(form.dataset.checkUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
    } catch {
      return; // offline: the server still checks when the form is sent
    }
    if (!response.ok) return;
    const { criteria, errors } = await response.json();
    updateChecklist(criteria);
    updateErrors(errors);
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  };
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
});
