// @ts-check
// The walk board on a TV at the line ("big screen"): reload it every few minutes, only while
// the page is visible and the server answers, so a dropped Wi-Fi leaves the last board up.
const seconds = Number(document.body.dataset.refreshSeconds) || 60;

async function refresh() {
  if (document.visibilityState !== 'visible') return;
  try {
    const response = await fetch(window.location.href, { method: 'HEAD', cache: 'no-store' });
    if (response.ok) window.location.reload();
  } catch {
    // offline: keep showing the board we have, try again next time
  }
}

setInterval(refresh, seconds * 1000);
