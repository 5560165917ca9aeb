"""WCAG 2.2's target size (2.5.8, minimum): every pointer target at least 24 x 24 CSS px, or far
enough from the others that a 24 px circle on its centre touches no other target (nor another
small target's circle). Links inside a sentence are exempt, as the criterion says. A control
wrapped in a label is measured by its label: the whole row is what a finger presses."""

# Returns [{what, width, height}] for each visible target that is too small and too close.
_SMALL_TARGETS = """() => {
    const MIN = 24;
    const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], "
        + "[tabindex]:not([tabindex='-1'])";
    const visible = (el) => {
        const style = getComputedStyle(el);
        if (style.visibility === "hidden" || style.display === "none") { return false; }
        if (el.closest("[aria-hidden=true]")) { return false; }
        const r = el.getBoundingClientRect();
        if (r.width < 2 || r.height < 2) { return false; }       // screen-reader-only text, collapsed
        // The skip link, off screen until focused.
        if (r.right < 0 || r.bottom < 0 || r.left > document.documentElement.scrollWidth) { return false; }
        return true;
    };
    const inSentence = (el) => {
        if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") { return false; }
        const block = el.parentElement;
        const own = (el.textContent || "").trim().length;
        return block && (block.textContent || "").trim().length > own + 1;
    };
    const targets = [];
    for (const el of document.querySelectorAll(selector)) {
        if (!visible(el)) { continue; }
        const label = el.matches("input, select, textarea") ? el.closest("label") : null;
        const box = (label || el).getBoundingClientRect();
        if (label && targets.some((t) => t.el === label)) { continue; }
        targets.push({el: label || el, box, exempt: inSentence(el)});
    }
    const small = targets.filter((t) => !t.exempt && (t.box.width < MIN - 0.5 || t.box.height < MIN - 0.5));
    const centre = (b) => [b.left + b.width / 2, b.top + b.height / 2];
    const distanceToBox = ([x, y], b) => Math.hypot(
        Math.max(b.left - x, 0, x - b.right), Math.max(b.top - y, 0, y - b.bottom));
    const offenders = [];
    for (const t of small) {
        const c = centre(t.box);
        const crowded = targets.some((o) => {
            if (o === t || o.el.contains(t.el) || t.el.contains(o.el)) { return false; }
            if (small.includes(o)) { const d = centre(o.box); return Math.hypot(c[0] - d[0], c[1] - d[1]) < MIN; }
            return distanceToBox(c, o.box) < MIN / 2;
        });
        if (crowded) {
            const named = t.el.innerText || t.el.value || t.el.getAttribute("aria-label") || t.el.getAttribute("name");
            const text = (named || "").trim().replace(/\\s+/g, " ");
            offenders.push({what: `${t.el.tagName.toLowerCase()}${t.el.id ? "#" + t.el.id : ""} ${text.slice(0, 40)}`,
                            width: Math.round(t.box.width), height: Math.round(t.box.height)});
        }
    }
    return offenders;
}"""


def small_tap_targets(page):
    """The targets on the page that fail WCAG 2.5.8 (too small and too close to another)."""
    return page.evaluate(_SMALL_TARGETS)
