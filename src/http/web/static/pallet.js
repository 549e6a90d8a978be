// Pallet's only script, and the pages work without it: a copy button for secrets shown once.
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null;
  if (!button) return;
  const source = document.getElementById(button.getAttribute('data-copy') || '');
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent || '').then(() => {
    button.textContent = 'Copied';
  });
});
for (const button of document.querySelectorAll('button[data-copy]')) button.hidden = false;
