// @ts-check
// The person's display mode (Account → Display: follow the phone, light or dark high contrast,
// large text) on the pages that carry no user data — the capture shell and the offline page,
// which the service worker serves to whoever uses the device. Server pages set data-theme on
// <html> themselves; there this script remembers the choice on the device. On the shell and the
// offline page (data-apply on the script tag) it applies the remembered choice. It is a classic
// blocking script in <head> (CSP forbids inline ones), so it runs before the first paint.
(() => {
  const KEY = 'gemba-display';
  const root = document.documentElement;
  const script = document.currentScript;
  try {
    if (script?.hasAttribute('data-apply')) {
      const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
      if (saved?.theme) root.dataset.theme = String(saved.theme);
      if (saved?.large) root.dataset.text = 'large';
    } else if (root.dataset.theme) {
      const choice = { theme: root.dataset.theme, large: root.dataset.text === 'large' };
      localStorage.setItem(KEY, JSON.stringify(choice));
    }
  } catch {
    // Storage refused (private mode, quota): the page keeps the phone's own setting.
  }
})();
