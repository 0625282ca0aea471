// WCAG 2.2.1 (Timing Adjustable): before this page's time limit runs out, warn the citizen (an
// alert dialog, focus moved to it, saying how much time is left) and let them continue with one
// button, which asks the server for more time. The seconds left come from the server
// (data-seconds, _time_limit.html), the texts from the catalogs (data-* attributes).
const box = document.getElementById("time-limit");

if (box) {
  const message = document.getElementById("time-limit-message");
  const button = document.getElementById("time-limit-continue");
  const signIn = document.getElementById("time-limit-sign-in");
  const warnAhead = Number(box.dataset.warn) * 1000;
  let deadline = Date.now() + Number(box.dataset.seconds) * 1000;
  let warnTimer = 0;
  let tick = 0;
  let endTimer = 0;
  let previous = null;

  const left = () => Math.max(0, deadline - Date.now());

  const describe = () => {
    const seconds = Math.ceil(left() / 1000);
    if (seconds <= 60) return box.dataset.warningLast;
    return box.dataset.warning.replace("{minutes}", String(Math.ceil(seconds / 60)));
  };

  // What to do next when the time is up or the server refused: sign in again (back to this page),
  // or, for an agency's request that is gone, go back to the agency.
  const finish = (text, canSignIn) => {
    clearInterval(tick);
    clearTimeout(endTimer);
    button.hidden = true;
    signIn.hidden = !canSignIn;
    message.textContent = text;
    box.hidden = false;
    box.focus();
  };

  const show = () => {
    previous = document.activeElement;
    message.textContent = describe();
    button.hidden = false;
    signIn.hidden = true;
    box.hidden = false;
    box.focus();
    clearInterval(tick);
    // The visible count stays current (not announced again: the dialog was announced once).
    tick = setInterval(() => { message.textContent = describe(); }, 15000);
  };

  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(show, Math.max(0, left() - warnAhead));
    endTimer = setTimeout(() => finish(box.dataset.ended, true), left());
  };

  button.addEventListener("click", async () => {
    const body = new URLSearchParams({ csrf_token: box.dataset.csrf });
    if (box.dataset.interaction) body.set("interaction", box.dataset.interaction);
    let response;
    try {
      response = await fetch(box.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "Accept-Language": document.documentElement.lang,
                   "X-Page-Language": document.documentElement.lang },
        body,
      });
    } catch (error) {
      message.textContent = box.dataset.failed;
      return;
    }
    if (response.status === 410) { finish(box.dataset.gone, false); return; }
    if (response.status === 401) { finish(box.dataset.ended, true); return; }
    if (!response.ok) { message.textContent = box.dataset.failed; return; }
    const data = await response.json();
    deadline = Date.now() + Number(data.seconds_left) * 1000;
    clearInterval(tick);
    if (left() <= warnAhead) {
      // The session's absolute end is near: no more time can be given. Say so once (not "you
      // have more time" and the same warning again), keep the dialog, and end as usual.
      message.textContent = box.dataset.final.replace("{minutes}", String(Math.max(1, Math.ceil(left() / 60000))));
      button.hidden = true;
      clearTimeout(warnTimer);
      clearTimeout(endTimer);
      endTimer = setTimeout(() => finish(box.dataset.ended, true), left());
      return;
    }
    message.textContent = box.dataset.extended;
    button.hidden = true;
    // Back to where the citizen was: the dialog says it is done, then goes once read.
    box.hidden = false;
    setTimeout(() => {
      box.hidden = true;
      if (previous && previous !== document.body && previous.isConnected) previous.focus();
    }, 5000);
    schedule();
  });

  schedule();
}
