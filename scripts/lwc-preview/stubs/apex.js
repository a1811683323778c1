// @salesforce/apex/<Class.method> for the preview: callable imperatively (a Promise) and usable with @wire (the
// function carries an `.adapter`, as the platform's do). Answers come from the state's fixture for that method:
// { data } or { error }, or { byParam: { name, answers: { <value>: { data } | { error } } } } to answer by one of the
// call's parameters (the cockpit's scope). A method without a fixture resolves to undefined and its wire never emits
// (loading).
import { countRefresh, later, logCall, state } from './runtime';

/** The fixture answering a call with these parameters. */
function answerFor(name, params) {
  const fixture = state().apex?.[name];
  if (!fixture?.byParam) return fixture;
  return fixture.byParam.answers[params?.[fixture.byParam.name]];
}

export function apexMethod(name) {
  const call = (params) => {
    logCall(name, params);
    const fixture = answerFor(name, params);
    return new Promise((resolve, reject) => {
      // a short delay so a "working" state (a disabled button) is visible in between
      setTimeout(() => (fixture?.error ? reject(fixture.error) : resolve(fixture?.data)), 150);
    });
  };
  call.adapter = class {
    constructor(dataCallback) {
      this.dataCallback = dataCallback;
    }

    update(config) {
      logCall(name, config);
      const fixture = answerFor(name, config);
      if (!fixture) return;
      later(() =>
        this.dataCallback(
          fixture.error ? { data: undefined, error: fixture.error } : { data: fixture.data, error: undefined },
        ),
      );
    }

    connect() {}

    disconnect() {}
  };
  return call;
}

export function refreshApex() {
  countRefresh('apex');
  return Promise.resolve();
}
