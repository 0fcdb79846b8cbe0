// @ts-check
// Label sheet: the print button (no inline handlers under our CSP).
document.querySelector('[data-action="print"]')?.addEventListener('click', () => window.print());
