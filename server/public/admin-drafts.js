/* Veldwerk, signed-in pages: what was typed into a form is not lost when the session ended before it was sent.
   On submit the form's fields are kept in this tab (sessionStorage). If the answer is the sign-in page, the draft is
   marked and the sign-in returns to the form's page, where the fields are filled in again (not sent: the person
   checks them and sends again). On any other page the draft is dropped: the form was received. Passwords, files and
   the form token are never kept. */
(function () {
  'use strict';
  var KEY = 'veldwerk-form-draft';
  var MAX_AGE_MS = 12 * 60 * 60 * 1000;

  function read() {
    try {
      var d = JSON.parse(window.sessionStorage.getItem(KEY) || 'null');
      return d && typeof d === 'object' && Date.now() - d.at < MAX_AGE_MS ? d : null;
    } catch (e) {
      return null;
    }
  }
  function write(d) {
    try {
      if (d) window.sessionStorage.setItem(KEY, JSON.stringify(d));
      else window.sessionStorage.removeItem(KEY);
    } catch (e) {
      /* storage full or off: the form still goes out */
    }
  }
  function keeps(el) {
    if (!el.name || el.disabled || el.name === '_csrf') return false;
    var type = (el.type || '').toLowerCase();
    return type !== 'password' && type !== 'file' && type !== 'hidden' && type !== 'submit' && type !== 'button';
  }
  function actionOf(form) {
    return new URL(form.getAttribute('action') || window.location.pathname, window.location.href).pathname;
  }

  var signInForm = document.querySelector('form[action="/signin"]');
  var draft = read();

  if (signInForm) {
    if (draft) {
      draft.waitingForSignIn = true;
      write(draft);
      var next = signInForm.querySelector('input[name="next"]');
      if (next) next.value = draft.page;
      var kept = document.getElementById('vw-draft-kept');
      if (kept) kept.hidden = false;
    }
    return;
  }

  if (draft) {
    write(null);
    if (draft.waitingForSignIn && draft.page === window.location.pathname) {
      var forms = document.querySelectorAll('form[method="post"]');
      for (var i = 0; i < forms.length; i++) {
        if (actionOf(forms[i]) !== draft.action) continue;
        var form = forms[i];
        draft.fields.forEach(function (f) {
          var els = form.elements.namedItem(f[0]);
          if (!els) return;
          var list = els.length !== undefined && !els.tagName ? els : [els];
          for (var j = 0; j < list.length; j++) {
            var el = list[j];
            if (!keeps(el)) continue;
            if (el.type === 'radio' || el.type === 'checkbox') el.checked = el.value === f[1] ? true : el.checked;
            else el.value = f[1];
          }
        });
        var note = document.createElement('p');
        note.className = 'vw-warning';
        note.setAttribute('role', 'status');
        note.id = 'vw-draft-restored';
        note.textContent =
          'Your session had ended, so the form was not saved. What you typed is back: check it and send it again.';
        form.parentNode.insertBefore(note, form);
        break;
      }
    }
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form || form.tagName !== 'FORM' || (form.method || '').toLowerCase() !== 'post') return;
    if (actionOf(form) === '/signout') return;
    var fields = [];
    for (var k = 0; k < form.elements.length; k++) {
      var el = form.elements[k];
      if (!keeps(el)) continue;
      if ((el.type === 'radio' || el.type === 'checkbox') && !el.checked) continue;
      fields.push([el.name, el.value]);
    }
    if (fields.length === 0) return;
    write({ page: window.location.pathname, action: actionOf(form), fields: fields, at: Date.now() });
  });
})();
