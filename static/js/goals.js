// The SMART checklist, live: the server runs the same checks as saving does.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("goal-form");
  if (!form) return;

  const showMeasure = () => {
    const chosen = form.querySelector("input[name=measure]:checked");
    form.querySelectorAll("[data-measure]").forEach((block) => {
      block.hidden = chosen ? block.dataset.measure !== chosen.value : false;
    });
  };
  form.querySelectorAll("input[name=measure]").forEach((r) => r.addEventListener("change", showMeasure));
  showMeasure();

  let timer = null;
  const refresh = async () => {
    const response = await fetch(form.dataset.checkUrl, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const { criteria } = await response.json();
    Object.entries(criteria).forEach(([name, met]) => {
      const item = document.querySelector(`.smart-item[data-criterion="${name}"]`);
      if (!item) return;
      item.classList.toggle("is-met", met);
      item.querySelector(".smart-mark").textContent = met ? "✓" : "○";
      item.querySelector(".smart-state").textContent = met ? "met" : "not met yet";
    });
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
});
