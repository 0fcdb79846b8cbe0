// Page-wide behaviour shared by every server-rendered page.
// Kept tiny: capture screens load their own modules.

const main = document.getElementById('main');

// After a failed form submit, move focus to the first field in error so keyboard
// and screen-reader users land on what needs fixing.
const firstInvalid = document.querySelector('[aria-invalid="true"]');
if (firstInvalid) {
  firstInvalid.focus();
} else if (main && location.hash === '#main') {
  main.focus();
}
