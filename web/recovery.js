// The token travels in the URL fragment, so it never reaches server logs or referrers.
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const form = document.getElementById('recovery');
const result = document.getElementById('result');

function show(text, ok) {
  result.hidden = false;
  result.textContent = text;
  result.className = `message ${ok ? 'ok' : 'error'}`;
}

if (!token) show('This link is incomplete. Ask your administrator for a new recovery link.', false);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const password = document.getElementById('password').value;
  if (password !== document.getElementById('confirm').value) return show('The two passwords differ.', false);
  const response = await fetch('/api/v1/auth/recovery', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, password }),
  });
  if (response.status === 204) {
    form.hidden = true;
    return show('Your password is set. Once an administrator has re-activated your account you can log in.', true);
  }
  const body = await response.json().catch(() => ({}));
  show(body.error?.message ?? 'Something went wrong. Try again or ask your administrator.', false);
});
