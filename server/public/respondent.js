/* Veldwerk respondent page: renders the questionnaire, saves answers as the respondent goes, submits on completion.
   Plain ES2017 for every current phone browser; no third-party requests. */
(function () {
  'use strict';
  var container = document.getElementById('vw-survey');
  var status = document.getElementById('vw-status');
  var langSwitch = document.getElementById('vw-lang');
  var estimate = document.getElementById('vw-estimate');
  var config = JSON.parse(container.getAttribute('data-config'));
  var base = window.location.pathname.replace(/\/+$/, '');
  var locale = config.locale;
  // Veldwerk's texts in both languages are a cached file of their own (assets/q/…); a preview carries them inline
  var shared = window.VW_TEXTS || {};
  var allTexts = config.texts || shared.texts;
  var texts = function () {
    return allTexts[locale];
  };

  // SurveyJS's own Dutch messages read like a translation ("Dit is een vereiste vraag"): plain Dutch instead
  var nl = Survey.surveyLocalization.locales.nl;
  var surveyTexts = config.surveyTexts || shared.surveyTexts;
  if (nl && surveyTexts) {
    Object.keys(surveyTexts).forEach(function (key) {
      nl[key] = surveyTexts[key];
    });
  }

  // real headings (SurveyJS draws titles as plain divs): screen-reader users can jump from question to question
  Survey.settings.titleTags = { survey: 'h1', page: 'h2', panel: 'h3', question: 'h3' };
  // no sliding and fading for people who asked their system for less motion
  if (window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches)
    Survey.settings.animationEnabled = false;
  // the questionnaire version is a cached file of its own (assets/q/…); an administrator's preview carries it inline
  var model = new Survey.Model(config.survey || window.VW_QUESTIONNAIRE);
  model.locale = locale;
  model.textUpdateMode = 'onTyping';
  // orientation: where the respondent is, as "page 2 of 6" and a bar (the routing decides which pages count)
  if (!model.showProgressBar || model.showProgressBar === 'off') model.showProgressBar = 'top';
  model.data = config.answers || {};
  if (config.pageNo > 0 && config.pageNo < model.visiblePages.length) model.currentPageNo = config.pageNo;
  window.veldwerkSurvey = model; // for the browser tests, which walk every page

  // problems (a save or a send that did not go through) stand out; progress messages stay quiet
  function say(text, problem) {
    status.textContent = text || '';
    status.className = problem ? 'vw-status vw-status-problem' : 'vw-status';
  }

  /** 503: the server cannot write now (disk full, database read-only or down); Retry-After says when to try again. */
  function retryDelay(res) {
    var seconds = Number(res.headers.get('Retry-After'));
    return Math.min(Math.max(seconds > 0 ? seconds : 60, 5), 300) * 1000;
  }

  // --- autosave. A choice is saved at once, typing after a pause, and whatever is not saved yet when the page is
  // hidden or left goes out in a keep-alive request. One request at a time; each carries a running number (from the
  // saved copy's), and the server keeps a copy only over an older one, so a late request never undoes a newer save.
  var seq = config.revision || 0;
  var changes = 0; // answers or page changed this many times since the page opened
  var savedChanges = 0; // … and the server confirmed the copy that held this many
  var saveTimer = null;
  var saving = false;
  var pending = false;
  var sending = false;
  var submitted = false;
  var leftWith = 0; // the changes the last keep-alive request carried (beforeunload and pagehide both come)

  // A reload asks for the new page before the old one's last save has landed, so the new page can be older than the
  // answers on screen. The last unsaved copy therefore also waits in this tab's sessionStorage (this tab only, gone
  // when it closes; read and removed at once) and the reloaded page takes it when it is newer than the saved one.
  var unsavedKey = 'vw-unsaved:' + base;
  var noteKey = 'vw-note:' + base;
  function remember(key, value) {
    try {
      window.sessionStorage.setItem(key, value);
    } catch (e) {
      /* storage off or full: the keep-alive request is all there is */
    }
  }
  function keepUnsaved(body) {
    remember(unsavedKey, body);
  }
  var note;
  try {
    note = window.sessionStorage.getItem(noteKey);
    window.sessionStorage.removeItem(noteKey);
  } catch (e) {
    note = null;
  }
  var carried;
  try {
    carried = JSON.parse(window.sessionStorage.getItem(unsavedKey) || 'null');
    window.sessionStorage.removeItem(unsavedKey);
  } catch (e) {
    carried = null;
  }
  if (carried && carried.seq > seq && carried.answers && !config.preview) {
    model.data = carried.answers;
    if (carried.pageNo > 0 && carried.pageNo < model.visiblePages.length) model.currentPageNo = carried.pageNo;
    locale = carried.locale === 'en' ? 'en' : carried.locale === 'nl' ? 'nl' : locale;
    seq = carried.seq; // its keep-alive request may still land: what the page saves next is numbered after it
    changes = 1; // saved again below, once the page is set up
  }

  function progressBody() {
    seq += 1;
    return JSON.stringify({ answers: model.data, pageNo: model.currentPageNo, locale: locale, seq: seq });
  }

  function retrySave(text, delay) {
    say(text, true);
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, delay);
  }

  /** What every autosave answer means, for the ordinary request and the keep-alive one alike. */
  function saved(res, upTo) {
    if (res.status === 409 || res.status === 410) {
      // completed or closed meanwhile, or a newer copy was saved elsewhere (another tab or device): show that copy,
      // and say why the page changed
      return res.json().then(function (body) {
        if (body && body.stale) remember(noteKey, 'newer');
        reloadFromServer();
      }, reloadFromServer);
    }
    if (res.status === 503) return retrySave(texts().unavailableSave, retryDelay(res));
    if (!res.ok) throw new Error('HTTP ' + res.status);
    if (upTo > savedChanges) savedChanges = upTo;
    if (savedChanges === changes) say(texts().saved);
  }

  var leaving = false; // the page is being left: its keep-alive request was the last save (see saveBeforeLeaving)

  /** The server's copy wins (newer, or completed): what this page holds is not saved on the way out. */
  function reloadFromServer() {
    if (submitted) return;
    submitted = true;
    window.location.reload();
  }

  function save() {
    if (submitted || sending || leaving || config.preview) return;
    clearTimeout(saveTimer);
    if (saving) {
      pending = true;
      return;
    }
    saving = true;
    var upTo = changes;
    fetch(base + '/progress', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: progressBody(),
    })
      .then(function (res) {
        return saved(res, upTo);
      })
      .catch(function () {
        retrySave(texts().saveFailed, 5000);
      })
      .then(function () {
        saving = false;
        // a change made while this request ran is saved now (also after a failure: the timer then still retries)
        if (pending) {
          pending = false;
          save();
        }
      });
  }

  /** The page is hidden (another app, a locked phone) or being left (reload, link, closed tab): save what is not saved. */
  function saveBeforeLeaving(event) {
    if (submitted || sending || config.preview || changes === savedChanges || changes === leftWith) return;
    clearTimeout(saveTimer);
    var upTo = changes;
    leftWith = changes;
    // no ordinary save after this one: a request still under way would otherwise start the next, numbered after
    // the keep-alive one, and the reloaded page's own saves would then count as older
    leaving = event && event.type === 'beforeunload';
    var body = progressBody();
    keepUnsaved(body);
    try {
      fetch(base + '/progress', {
        method: 'PUT',
        keepalive: true, // outlives the page
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: body,
      })
        .then(function (res) {
          return saved(res, upTo);
        })
        .catch(function () {
          /* the page is gone, or the next change saves again */
        });
    } catch (e) {
      /* a body over the keep-alive limit (64 kB): the ordinary save below is the best there is */
      save();
    }
  }

  var TYPED = { text: true, comment: true, multipletext: true };
  model.onValueChanged.add(function (_sender, options) {
    leaving = false; // still here (a mailto: link fires beforeunload too)
    changes += 1;
    clearTimeout(saveTimer);
    var typed = options.question && TYPED[options.question.getType()];
    if (typed) saveTimer = setTimeout(save, 1200);
    else save();
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') saveBeforeLeaving();
  });
  window.addEventListener('pagehide', saveBeforeLeaving);
  // back from the back-forward cache, or a beforeunload that led nowhere (a mailto: link): saving goes on
  window.addEventListener('pageshow', function () {
    leaving = false;
  });
  // a reload asks for the new page before pagehide: beforeunload comes first, so the save goes out before it
  window.addEventListener('beforeunload', saveBeforeLeaving);

  // --- Back and Forward move between the questionnaire's pages: one history entry per page, in the page's own URL
  var fromHistory = false;
  function historyState() {
    return { vwPage: model.currentPage ? model.currentPage.name : '' };
  }
  if (window.history && window.history.replaceState) {
    // a respondent who comes back at page 3 can still go back to pages 1 and 2
    var resumedAt = model.currentPageNo;
    var visible = model.visiblePages;
    window.history.replaceState({ vwPage: visible[0] ? visible[0].name : '' }, '');
    for (var i = 1; i <= resumedAt && i < visible.length; i++)
      window.history.pushState({ vwPage: visible[i].name }, '');
    window.addEventListener('popstate', function (event) {
      var name = event.state && event.state.vwPage;
      var page = name && model.getPageByName(name);
      if (!page || model.state !== 'running') return;
      var target = model.visiblePages.indexOf(page);
      if (target < 0) {
        window.history.replaceState(historyState(), ''); // routing hid that page meanwhile: stay here
        return;
      }
      // Forward checks the page being left, as the Next button does
      if (!config.preview && target > model.currentPageNo && model.currentPage.hasErrors(true, true)) {
        window.history.pushState(historyState(), '');
        return;
      }
      fromHistory = true;
      model.currentPage = page;
      fromHistory = false;
    });
  }

  model.onCurrentPageChanged.add(function () {
    leaving = false;
    if (!fromHistory && window.history && window.history.pushState) window.history.pushState(historyState(), '');
    if (estimate) estimate.hidden = model.currentPageNo !== 0;
    changes += 1;
    save();
  });

  // --- completion: the server validates; only its 201 completes the survey in the browser. One send at a time: a
  // second press (or a double click) while the first is under way does nothing.
  function showServerErrors(errors) {
    var firstQuestion = null;
    errors.forEach(function (err) {
      var q = err.name && model.getQuestionByName(err.name);
      if (q) {
        q.addError(err.message);
        if (!firstQuestion) firstQuestion = q;
      }
    });
    say(texts().invalid, true);
    if (firstQuestion) {
      var page = model.getPageByQuestion(firstQuestion);
      if (page) model.currentPage = page;
      firstQuestion.focus(true);
    }
  }

  function setSending(on) {
    sending = on;
    var button = container.querySelector('.sd-navigation__complete-btn');
    if (button) {
      button.disabled = on;
      button.setAttribute('aria-disabled', on ? 'true' : 'false');
    }
  }

  model.onCompleting.add(function (_sender, options) {
    if (submitted) return;
    if (config.preview) return; // an administrator's preview: nothing is sent or stored
    options.allow = false;
    if (sending) return;
    setSending(true);
    clearTimeout(saveTimer);
    say(texts().sending);
    fetch(base + '/complete', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ answers: model.data, locale: locale }),
    })
      .then(function (res) {
        if (res.status === 201 || res.status === 409 || res.status === 410) {
          submitted = true;
          window.location.replace(base + (locale === 'en' ? '?lang=en' : ''));
          return;
        }
        setSending(false);
        // the server cannot save now: the answers stay in the page and the respondent sends them again later
        if (res.status === 503) {
          say(texts().unavailableSubmit, true);
          return;
        }
        return res.json().then(function (body) {
          if (res.status === 422 && body.errors) showServerErrors(body.errors);
          else say(body.error || texts().saveFailed, true);
        });
      })
      .catch(function () {
        setSending(false);
        say(texts().saveFailed, true);
      });
  });

  // --- language switch: questionnaire texts and Veldwerk's own texts around it together, so no Dutch is left on an
  // English page. Without JavaScript it is a link to the page in the other language.
  function applyLanguage() {
    document.documentElement.lang = locale;
    model.locale = locale;
    // SurveyJS keeps the progress text ("Pagina 1 van 2") from before the switch unless told
    if (typeof model.updateProgressText === 'function') model.updateProgressText();
    if (model.title) document.title = model.title;
    Array.prototype.forEach.call(document.querySelectorAll('[data-vw-text]'), function (el) {
      var text = texts()[el.getAttribute('data-vw-text')];
      if (text) el.textContent = text;
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-vw-href]'), function (el) {
      el.setAttribute('href', el.getAttribute('data-vw-href') + (locale === 'en' ? '?lang=en' : ''));
    });
    if (estimate && config.estimate) estimate.textContent = config.estimate[locale];
    if (langSwitch) {
      langSwitch.textContent = texts().switchLanguage;
      langSwitch.setAttribute('lang', locale === 'nl' ? 'en' : 'nl');
      langSwitch.setAttribute('href', '?lang=' + (locale === 'nl' ? 'en' : 'nl'));
    }
  }
  if (langSwitch) {
    langSwitch.addEventListener('click', function (event) {
      event.preventDefault();
      leaving = false;
      locale = locale === 'nl' ? 'en' : 'nl';
      applyLanguage();
      changes += 1;
      save();
    });
  }
  // an administrator's preview: every page can be looked at without answering (no checks), straight from a list of
  // the pages, and Back goes to the page before
  if (config.preview) {
    model.validationEnabled = false;
    var jump = document.getElementById('vw-preview-pages');
    var renderJumps = function () {
      if (!jump) return;
      while (jump.firstChild) jump.removeChild(jump.firstChild);
      model.visiblePages.forEach(function (page, i) {
        var item = document.createElement('li');
        var button = document.createElement('button');
        button.type = 'button';
        var first = page.questions[0];
        var title = page.title || (first && (first.title || first.name)) || page.name;
        button.textContent = String(i + 1) + '. ' + String(title).slice(0, 80);
        if (page === model.currentPage) button.setAttribute('aria-current', 'page');
        button.addEventListener('click', function () {
          model.currentPage = page;
          container.scrollIntoView();
        });
        item.appendChild(button);
        jump.appendChild(item);
      });
    };
    model.onCurrentPageChanged.add(renderJumps);
    model.onValueChanged.add(renderJumps); // routing may show or hide pages
    renderJumps();
  }
  applyLanguage();
  SurveyUI.renderSurvey(model, container);
  if (changes > savedChanges)
    save(); // answers carried over a reload
  else if (note === 'newer') say(texts().newerCopy);
})();
