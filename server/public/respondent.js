/* Veldwerk respondent page: renders the questionnaire, saves answers as the respondent goes, submits on completion.
   Plain ES2017 for every current phone browser; no third-party requests. */
(function () {
  'use strict';
  var container = document.getElementById('vw-survey');
  var status = document.getElementById('vw-status');
  var langButton = document.getElementById('vw-lang');
  var config = JSON.parse(container.getAttribute('data-config'));
  var base = window.location.pathname.replace(/\/+$/, '');
  var locale = config.locale;
  var texts = function () {
    return config.texts[locale];
  };

  // real headings (SurveyJS draws titles as plain divs): screen-reader users can jump from question to question
  Survey.settings.titleTags = { survey: 'h1', page: 'h2', panel: 'h3', question: 'h3' };
  // no sliding and fading for people who asked their system for less motion
  if (window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches)
    Survey.settings.animationEnabled = false;
  var model = new Survey.Model(config.survey);
  model.locale = locale;
  model.textUpdateMode = 'onTyping';
  model.data = config.answers || {};
  if (config.pageNo > 0 && config.pageNo < model.visiblePages.length) model.currentPageNo = config.pageNo;

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

  // --- autosave: on every page change at once, while typing after a pause; one request at a time, the last wins.
  // A failed save is tried again by a timer (or sooner by the next change); the answers stay in the page meanwhile.
  var saveTimer = null;
  var saving = false;
  var pending = false;
  var submitted = false;

  function progressBody() {
    return JSON.stringify({ answers: model.data, pageNo: model.currentPageNo, locale: locale });
  }

  function retrySave(text, delay) {
    say(text, true);
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, delay);
  }

  function save() {
    if (submitted || config.preview) return;
    clearTimeout(saveTimer);
    if (saving) {
      pending = true;
      return;
    }
    saving = true;
    fetch(base + '/progress', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: progressBody(),
    })
      .then(function (res) {
        if (res.status === 409 || res.status === 410) {
          window.location.reload();
          return;
        }
        if (res.status === 503) {
          retrySave(texts().unavailableSave, retryDelay(res));
          return;
        }
        if (!res.ok) throw new Error('HTTP ' + res.status);
        say(texts().saved);
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

  function saveSoon() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 1200);
  }

  model.onValueChanged.add(saveSoon);
  model.onCurrentPageChanged.add(save);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden' && saveTimer && !submitted) {
      clearTimeout(saveTimer);
      try {
        fetch(base + '/progress', {
          method: 'PUT',
          keepalive: true,
          headers: { 'Content-Type': 'application/json' },
          body: progressBody(),
        });
      } catch (e) {
        /* best effort: the next page change saves again */
      }
    }
  });

  // --- completion: the server validates; only its 201 completes the survey in the browser
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

  model.onCompleting.add(function (_sender, options) {
    if (submitted) return;
    if (config.preview) return; // an administrator's preview: nothing is sent or stored
    options.allow = false;
    say(texts().sending);
    fetch(base + '/complete', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ answers: model.data, locale: locale }),
    })
      .then(function (res) {
        if (res.status === 201 || res.status === 409 || res.status === 410) {
          submitted = true;
          clearTimeout(saveTimer);
          window.location.replace(base + (locale === 'en' ? '?lang=en' : ''));
          return;
        }
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
        say(texts().saveFailed, true);
      });
  });

  // --- language switch: questionnaire texts and Veldwerk's own texts around it together, so no Dutch is left on an
  // English page (looked up at each switch: this script runs before the footer is parsed)
  function applyLanguage() {
    var anonymity = document.querySelector('.vw-anonymity');
    var statementLink = document.querySelector('.vw-footer a[href^="/toegankelijkheid"]');
    document.documentElement.lang = locale;
    model.locale = locale;
    if (model.title) document.title = model.title;
    if (anonymity) anonymity.textContent = texts().anonymity;
    if (statementLink) {
      statementLink.textContent = texts().accessibility;
      statementLink.setAttribute('href', '/toegankelijkheid' + (locale === 'en' ? '?lang=en' : ''));
    }
    if (langButton) {
      langButton.textContent = texts().switchLanguage;
      langButton.setAttribute('lang', locale === 'nl' ? 'en' : 'nl');
    }
  }
  if (langButton) {
    langButton.addEventListener('click', function () {
      locale = locale === 'nl' ? 'en' : 'nl';
      applyLanguage();
      save();
    });
  }
  applyLanguage();
  SurveyUI.renderSurvey(model, container);
})();
