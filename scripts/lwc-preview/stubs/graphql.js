// lightning/graphql for the preview: `gql` keeps the query text; the `graphql` wire adapter answers with the state's
// fixture for the query's operation name ({ data } or { errors }), plus a `refresh` the component can call.
import { countRefresh, later, state } from './runtime';

export function gql(strings, ...values) {
  return strings.reduce((text, part, i) => text + part + (i < values.length ? values[i] : ''), '');
}

const operationName = (query) => /query\s+(\w+)/.exec(query ?? '')?.[1];

export class graphql {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }

  update(config) {
    this.config = config;
    this.emit();
  }

  connect() {}

  disconnect() {}

  emit() {
    const fixture = state().graphql?.[operationName(this.config?.query)];
    const refresh = () => {
      countRefresh('graphql');
      this.emit();
      return Promise.resolve();
    };
    if (!fixture) return; // no fixture: the component stays in its loading state
    later(() => this.dataCallback({ data: fixture.data, errors: fixture.errors, refresh }));
  }
}
