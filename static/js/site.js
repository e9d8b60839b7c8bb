// Small progressive enhancements. Every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Preselect the browser's time zone on a first-time form, if we list it.
  document.querySelectorAll("select[data-suggest-browser-zone='true']").forEach((select) => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && select.value === "UTC" && select.querySelector(`option[value="${zone}"]`)) {
      select.value = zone;
    }
  });

  // Show mentor-only settings only to people who chose to mentor.
  document.querySelectorAll("[data-shown-by]").forEach((section) => {
    const toggle = document.getElementById(section.dataset.shownBy);
    if (!toggle) return;
    const sync = () => { section.hidden = !toggle.checked; };
    toggle.addEventListener("change", sync);
    sync();
  });

  // "Add another skill": copy the last row of a formset with the next index.
  document.querySelectorAll(".add-skill-row").forEach((button) => {
    const prefix = button.dataset.prefix;
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const max = document.getElementById(`id_${prefix}-MAX_NUM_FORMS`);
    const rows = button.closest(".skill-formset").querySelector(".skill-rows");
    button.addEventListener("click", () => {
      const index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) { button.disabled = true; return; }
      const row = rows.lastElementChild.cloneNode(true);
      const pattern = new RegExp(`${prefix}-\\d+-`, "g");
      row.querySelectorAll("input, select, label, div").forEach((el) => {
        ["name", "id", "for", "aria-describedby"].forEach((attr) => {
          const value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(pattern, `${prefix}-${index}-`));
        });
        el.classList.remove("is-invalid");
        if (el.classList.contains("invalid-feedback")) el.remove();
      });
      row.querySelectorAll("label.visually-hidden").forEach((label) => {
        label.textContent = label.textContent.replace(/\d+$/, String(index + 1));
      });
      row.querySelector("input").value = "";
      rows.appendChild(row);
      total.value = String(index + 1);
      row.querySelector("input").focus();
    });
  });
});
