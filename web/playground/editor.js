/**
 * The weight editor: a small dialog of number fields (a link's weight, or a neuron's bias and
 * incoming weights) next to what was clicked. Enter applies the field and closes, Escape closes,
 * and focus returns to where it was.
 */
export class WeightEditor {
  constructor(root) {
    this.root = root;
    this.root.hidden = true;
    this.root.setAttribute("role", "dialog");
    this.root.setAttribute("aria-label", "Edit weights");
    document.addEventListener("pointerdown", (event) => {
      if (!this.root.hidden && !this.root.contains(event.target)) this.close();
    });
  }

  /** Opens with `entries` ({label, value, apply(value)}) at page coordinates {x, y}. */
  open(entries, { x, y }) {
    this.returnTo = document.activeElement;
    this.root.replaceChildren();
    const hint = document.createElement("p");
    hint.className = "editor-hint";
    hint.textContent = "Type a value, then Enter. Escape closes.";
    this.root.appendChild(hint);
    for (const entry of entries) {
      const label = document.createElement("label");
      const span = document.createElement("span");
      span.textContent = entry.label;
      const input = document.createElement("input");
      input.type = "number";
      input.step = "any";
      input.value = Number(entry.value.toPrecision(4)).toString();
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          const v = Number(input.value);
          if (input.value.trim() !== "" && Number.isFinite(v)) entry.apply(v);
          this.close();
        } else if (event.key === "Escape") {
          this.close();
        }
      });
      input.addEventListener("change", () => {
        const v = Number(input.value);
        if (input.value.trim() !== "" && Number.isFinite(v)) entry.apply(v);
      });
      label.append(span, input);
      this.root.appendChild(label);
    }
    this.root.hidden = false;
    const w = this.root.offsetWidth;
    const left = Math.min(x + 12 + window.scrollX, window.scrollX + document.documentElement.clientWidth - w - 8);
    this.root.style.left = `${Math.max(8, left)}px`;
    this.root.style.top = `${y + window.scrollY}px`;
    this.root.querySelector("input")?.focus();
  }

  close() {
    if (this.root.hidden) return;
    this.root.hidden = true;
    if (this.returnTo instanceof HTMLElement && this.returnTo.isConnected) this.returnTo.focus();
  }
}
