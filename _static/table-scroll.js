// Gives the notebooks' result tables the theme's scrolling container, and marks each table
// container that can scroll sideways with the edges it can scroll towards
// (alr-more-left, alr-more-right), so that book.css fades the table out there: a phone shows no
// scrollbar, and a cut-off table looked complete. Kept up to date on scrolling and whenever the
// container or its table changes size (a rotated phone, equations typeset by MathJax).
(() => {
  const CONTAINER = ".bd-article .pst-scrollable-table-container";
  const mark = (box) => {
    const room = box.scrollWidth - box.clientWidth;
    box.classList.toggle("alr-more-left", box.scrollLeft > 1);
    box.classList.toggle("alr-more-right", box.scrollLeft < room - 1);
  };
  document.addEventListener("DOMContentLoaded", () => {
    // result tables printed by the notebooks (adaptive_lr.tables.Table) get the theme's
    // scrolling container that Markdown tables have
    document.querySelectorAll(".bd-article table.alr-table").forEach((table) => {
      if (table.parentElement.classList.contains("pst-scrollable-table-container")) return;
      const box = document.createElement("div");
      box.className = "pst-scrollable-table-container";
      table.replaceWith(box);
      box.appendChild(table);
    });
    const resized = new ResizeObserver((entries) => {
      entries.forEach((entry) => mark(entry.target.closest(".pst-scrollable-table-container")));
    });
    document.querySelectorAll(CONTAINER).forEach((box) => {
      box.addEventListener("scroll", () => mark(box), {passive: true});
      resized.observe(box);
      if (box.firstElementChild) resized.observe(box.firstElementChild);
    });
  });
})();
