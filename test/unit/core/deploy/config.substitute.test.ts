import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { substitute, substituteArgv, templateReferences } from '../../../../src/core/deploy/config';

const values = { version: 'v13', weight: 25, env: 'production', environ: { PROM_URL: 'http://127.0.0.1:9090', EMPTY: '' } };

describe('core/deploy/config: templates (${version}, ${weight}, ${env}, ${env:VAR})', () => {
  it('replaces every variable, as often as it appears, leaving the rest alone', () => {
    assert.deepEqual(substitute('deploy ${version} at ${weight}% to ${env}', values, 'f'), { ok: true, value: 'deploy v13 at 25% to production' });
    assert.deepEqual(substitute('${env:PROM_URL}/api/v1/query', values, 'f'), { ok: true, value: 'http://127.0.0.1:9090/api/v1/query' });
    assert.deepEqual(substitute('rate(x{version="${version}"}[5m]) / rate(y{version="${ version }"}[5m])', values, 'f'), { ok: true, value: 'rate(x{version="v13"}[5m]) / rate(y{version="v13"}[5m])' });
    assert.deepEqual(substitute('${env:EMPTY}', values, 'f'), { ok: true, value: '' }, 'a variable set to nothing is set');
    assert.deepEqual(substitute('no variables, $HOME and $ alone', values, 'f'), { ok: true, value: 'no variables, $HOME and $ alone' });
    assert.deepEqual(substitute('${weight}', { weight: 0.5 }, 'f'), { ok: true, value: '0.5' });
  });

  it('an unknown variable is an error naming the field, with a suggestion', () => {
    assert.deepEqual(substitute('./deploy.sh ${verison}', values, 'environments.production.target.run[1]'), {
      ok: false,
      error: 'environments.production.target.run[1]: unknown variable ${verison} (did you mean ${version}?); the variables are ${version}, ${weight}, ${env} and ${env:VAR}',
    });
    assert.deepEqual(substitute('${HOME}', values, 'x.y'), { ok: false, error: 'x.y: unknown variable ${HOME}; the variables are ${version}, ${weight}, ${env} and ${env:VAR}' });
  });

  it('an unset environment variable, a value not given and a broken template are errors naming the field', () => {
    assert.deepEqual(substitute('${env:NOPE}', values, 'guard.source.url'), { ok: false, error: 'guard.source.url: the environment variable NOPE is not set' });
    assert.deepEqual(substitute('${version}', { env: 'staging' }, 'target.image'), { ok: false, error: 'target.image: no value for ${version} here' });
    assert.deepEqual(substitute('img:${version', values, 'target.image'), { ok: false, error: 'target.image: unclosed ${ at character 5' });
    assert.deepEqual(substitute('${env:A-B}', values, 'f'), { ok: false, error: 'f: ${env:A-B} is not an environment variable name (letters, digits and _)' });
  });

  it('argv: each argument substituted on its own, never split or joined; errors name the index', () => {
    assert.deepEqual(substituteArgv(['./deploy.sh', '${version}', '--weight=${weight}', 'a b; rm -rf /'], values, 'run'), { ok: true, value: ['./deploy.sh', 'v13', '--weight=25', 'a b; rm -rf /'] });
    assert.deepEqual(substituteArgv(['x', '${nope}'], values, 'environments.p.target.run'), { ok: false, error: 'environments.p.target.run[1]: unknown variable ${nope}; the variables are ${version}, ${weight}, ${env} and ${env:VAR}' });
  });

  it('templateReferences lists what a template uses', () => {
    assert.deepEqual(templateReferences('${version}-${env:HOME}-${ weight }-${env}'), { refs: ['version', 'env:HOME', 'weight', 'env'] });
  });

  it('property: a value never gets substituted twice (a version holding "${env}" stays as it is)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (version, env) => {
        const r = substitute('${version}|${env}', { version, env }, 'f');
        assert.deepEqual(r, { ok: true, value: `${version}|${env}` });
      }),
    );
  });

  it('is pure: the process environment is only what it is given', () => {
    process.env.AGENTOPS_TEST_SUBSTITUTE = 'from process';
    try {
      assert.deepEqual(substitute('${env:AGENTOPS_TEST_SUBSTITUTE}', {}, 'f'), { ok: false, error: 'f: the environment variable AGENTOPS_TEST_SUBSTITUTE is not set' });
    } finally {
      delete process.env.AGENTOPS_TEST_SUBSTITUTE;
    }
  });
});
