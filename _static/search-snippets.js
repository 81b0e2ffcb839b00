// Search result snippets are cut from each page's HTML, where an equation is still its TeX
// source (MathJax typesets it only on the page itself), so they showed "\(r_0 = 1\)". Show
// inline maths as plain text instead ("r_0 = 1", "ρ/(ε + √r)") and leave display maths out.
(() => {
  const symbols = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ϵ", varepsilon: "ε", eta: "η",
    theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", rho: "ρ", sigma: "σ", Theta: "Θ",
    Delta: "Δ", nabla: "∇", partial: "∂", sum: "∑", odot: "⊙", cdot: "·", times: "×",
    leftarrow: "←", to: "→", le: "≤", leq: "≤", ge: "≥", geq: "≥", approx: "≈", infty: "∞",
    ldots: "…", dots: "…", max: "max", min: "min", log: "log", exp: "exp",
  };
  const group = (text) => (/^[^\s+\-*/]+$/.test(text) ? text : `(${text})`);
  const plainTex = (tex) => {
    let text = tex.replace(/^\s*\\\(|\\\)\s*$/g, "")
      .replace(/\\([A-Za-z]+)/g, (command, name) =>
        name === "frac" || name === "sqrt" ? command : symbols[name] ?? "");
    for (let before; before !== text;) {  // innermost first: \frac{ρ}{ε + \sqrt{r}}
      before = text;
      text = text
        .replace(/\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/, (_, a, b) => `${group(a)}/${group(b)}`)
        .replace(/\\sqrt\s*\{([^{}]*)\}/, (_, a) => `√${group(a)}`);
    }
    return text.replace(/\\sqrt/g, "√").replace(/\\[,;:! ]/g, " ").replace(/[{}]/g, "")
      .replace(/\s+/g, " ").trim();
  };

  document.addEventListener("DOMContentLoaded", () => {
    // searchtools.js (search page only) declares `const Search`, not a property of window
    if (typeof Search === "undefined" || !Search.htmlToText) return;
    const htmlToText = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const page = new DOMParser().parseFromString(htmlString, "text/html");
      page.querySelectorAll("div.math").forEach((block) => block.remove());
      page.querySelectorAll("span.math").forEach((span) => {
        span.textContent = plainTex(span.textContent);
      });
      return htmlToText(page.documentElement.outerHTML, anchor);
    };
  });
})();
