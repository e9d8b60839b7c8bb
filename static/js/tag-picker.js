// A searchable tag picker over a native <select multiple data-tag-picker>, with Tom Select
// (static/vendor/tom-select). The select stays in the form and is what submits: without
// this file, or without JavaScript, the page keeps the plain multi-select.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  if (typeof window.TomSelect !== "function") return;
  // Django's script catalogue (/jsi18n/) gives gettext() in the page's language.
  const say = typeof window.gettext === "function" ? window.gettext : (words) => words;
  const fill = (words, values) =>
    typeof window.interpolate === "function"
      ? window.interpolate(words, values, true)
      : words.replace(/%\((\w+)\)s/g, (_, name) => values[name]);

  document.querySelectorAll("select[multiple][data-tag-picker]").forEach((select) => {
    const describedBy = select.getAttribute("aria-describedby");
    const picker = new window.TomSelect(select, {
      plugins: { remove_button: { title: say("Remove") } },
      placeholder: select.dataset.pickerPlaceholder || "",
      hidePlaceholder: false,
      // Every match, not the first 50: the list is the skills the mentors teach.
      maxOptions: null,
      // Filter on every keystroke, not 300 ms later: the options are all in the page, and
      // with the delay "sys" and a quick Enter picked whatever the stale list had first.
      refreshThrottle: 0,
      // Picking a skill clears what was typed and leaves the list open for the next one.
      closeAfterSelect: false,
      onItemAdd() {
        this.setTextboxValue("");
        this.refreshOptions(false);
      },
    });

    // The hint under the field now describes the picker, and the picker's text box
    // announces it as the select did.
    const help = describedBy && document.getElementById(describedBy.split(" ")[0]);
    if (help && select.dataset.pickerHelp) help.textContent = select.dataset.pickerHelp;
    if (describedBy) picker.control_input.setAttribute("aria-describedby", describedBy);
    // The select, visually hidden but still submitting, would be a second unlabelled
    // "Skills" list for a screen reader.
    select.setAttribute("aria-hidden", "true");

    // A chip's "×" says what it removes, for screen readers and on hover.
    const nameRemoveButtons = () => {
      picker.control.querySelectorAll("[data-ts-item]").forEach((item) => {
        const button = item.querySelector(".remove");
        const option = picker.options[item.dataset.value];
        if (!button || !option) return;
        const label = fill(say("Remove %(skill)s"), { skill: option[picker.settings.labelField] });
        button.setAttribute("aria-label", label);
        button.title = label;
      });
    };
    nameRemoveButtons();
    picker.on("item_add", nameRemoveButtons);
  });
});
