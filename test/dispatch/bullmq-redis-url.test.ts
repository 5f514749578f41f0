import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLayernasError } from '../../src/core/errors.js';
import { parseRedisUrl, probeRedis, redactRedisUrl } from '../../src/dispatch/redis-url.js';
import { openBullmqDispatcher } from '../../src/dispatch/bullmq.js';
import { startTrialWorker } from '../../src/worker/trial-worker.js';
import { NoopWorkerEvaluator } from '../../src/eval/worker-evaluators.js';
import { freeLoopbackPort, startRedisServer } from '../helpers/redis-server.js';

test('redis URL: host, port, db, password-only, ACL user, TLS, escapes', () => {
  assert.deepEqual(parseRedisUrl('redis://localhost'), { host: 'localhost', port: 6379, db: 0, connectTimeout: 5000 });
  assert.deepEqual(parseRedisUrl('redis://:s3cret@10.0.0.5:6380/2'), { host: '10.0.0.5', port: 6380, db: 2, connectTimeout: 5000, password: 's3cret' });
  const acl = parseRedisUrl('redis://alice:p%40ss%3Aword@h:7000');
  assert.equal(acl.username, 'alice');
  assert.equal(acl.password, 'p@ss:word');
  const tls = parseRedisUrl('rediss://bob:pw@redis.example.com:6390/1', { tlsCa: 'PEM' });
  assert.deepEqual(tls.tls, { servername: 'redis.example.com', ca: 'PEM' });
  assert.equal(tls.port, 6390);
  assert.equal(parseRedisUrl('redis://[::1]:6379').host, '::1');
  assert.equal(parseRedisUrl('redis://h').tls, undefined);
});

test('redis URL: malformed ones are USAGE errors that never echo the password', () => {
  for (const bad of ['http://h:1', 'not a url', 'redis://h/99', 'redis://h/x', 'redis://:hunter2@h/abc']) {
    assert.throws(() => parseRedisUrl(bad), (e: unknown) => isLayernasError(e, 'USAGE') && !e.message.includes('hunter2'), bad);
  }
  assert.equal(redactRedisUrl('redis://u:hunter2@h:1/0'), 'redis://u:***@h:1/0');
  assert.equal(redactRedisUrl('rediss://:hunter2@h'), 'rediss://:***@h');
});

test('unreachable Redis: QUEUE_UNREACHABLE quickly (dispatcher and worker), not a hang', async () => {
  const port = await freeLoopbackPort(); // nothing listens there
  const url = `redis://127.0.0.1:${port}`;
  const t0 = Date.now();
  await assert.rejects(openBullmqDispatcher({ redisUrl: url }), (e: unknown) => isLayernasError(e, 'QUEUE_UNREACHABLE') && e.message.includes(`127.0.0.1:${port}`));
  await assert.rejects(startTrialWorker({ redisUrl: url, evaluator: new NoopWorkerEvaluator() }), (e: unknown) => isLayernasError(e, 'QUEUE_UNREACHABLE'));
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  // a host that drops packets: the connect timeout bounds the wait (TEST-NET-1 is unroutable; loopback-only machine)
  const t1 = Date.now();
  await assert.rejects(probeRedis('redis://192.0.2.1:6379', { connectTimeoutMs: 800 }), (e: unknown) => isLayernasError(e, 'QUEUE_UNREACHABLE'));
  assert.ok(Date.now() - t1 < 3000, `took ${Date.now() - t1} ms`);
});

test('password-protected redis-server: right password works, wrong or missing password is QUEUE_AUTH; ACL users work', async () => {
  const srv = await startRedisServer({ password: 'right-pw', aclUser: { name: 'layernas', password: 'acl-pw' } });
  try {
    assert.match((await probeRedis(srv.url)).version, /^\d+\.\d+/);
    await probeRedis(`redis://layernas:acl-pw@127.0.0.1:${srv.port}`);
    const wrong = `redis://:wrong-pw@127.0.0.1:${srv.port}`;
    await assert.rejects(openBullmqDispatcher({ redisUrl: wrong }), (e: unknown) => isLayernasError(e, 'QUEUE_AUTH') && !e.message.includes('wrong-pw'));
    await assert.rejects(startTrialWorker({ redisUrl: wrong, evaluator: new NoopWorkerEvaluator() }), (e: unknown) => isLayernasError(e, 'QUEUE_AUTH'));
    await assert.rejects(probeRedis(`redis://127.0.0.1:${srv.port}`), (e: unknown) => isLayernasError(e, 'QUEUE_AUTH'));
    await assert.rejects(probeRedis(`redis://layernas:nope@127.0.0.1:${srv.port}`), (e: unknown) => isLayernasError(e, 'QUEUE_AUTH'));
    // the full path works through the ACL user
    const d = await openBullmqDispatcher({ redisUrl: `redis://layernas:acl-pw@127.0.0.1:${srv.port}` });
    const w = await startTrialWorker({ redisUrl: srv.url, evaluator: new NoopWorkerEvaluator() });
    try {
      await d.submit([{ trialId: 'auth:0', studyId: 'auth', dna: [0], arch: 'a', evaluator: { kind: 'noop', options: {} }, attempt: 0 }]);
      for await (const r of d.results()) {
        assert.equal(r.trialId, 'auth:0');
        assert.equal(r.outcome.status, 'ok');
        break;
      }
    } finally {
      await d.close();
      await w.close();
    }
  } finally {
    await srv.stop();
  }
});

test('rediss:// to a real TLS-only redis-server: works with its CA, refused (QUEUE_UNREACHABLE) without it or over plain TCP', async () => {
  const srv = await startRedisServer({ tls: true, password: 'tls-pw' });
  try {
    assert.ok(srv.url.startsWith('rediss://'));
    const tlsCa = srv.caPem!;
    await probeRedis(srv.url, { tlsCa });
    const d = await openBullmqDispatcher({ redisUrl: srv.url, tlsCa, queueName: 'tls' });
    const w = await startTrialWorker({ redisUrl: srv.url, tlsCa, queueName: 'tls', evaluator: new NoopWorkerEvaluator() });
    try {
      await d.submit([{ trialId: 'tls:0', studyId: 'tls', dna: [0], arch: 'a', evaluator: { kind: 'noop', options: {} }, attempt: 0 }]);
      for await (const r of d.results()) {
        assert.deepEqual([r.trialId, r.outcome.status], ['tls:0', 'ok']);
        break;
      }
    } finally {
      await d.close();
      await w.close();
    }
    // self-signed certificate not trusted -> clear error, quickly
    await assert.rejects(probeRedis(srv.url, { connectTimeoutMs: 2000 }), (e: unknown) => isLayernasError(e, 'QUEUE_UNREACHABLE') && /certificate/i.test(e.message));
    // plain redis:// against the TLS port
    await assert.rejects(probeRedis(srv.url.replace('rediss://', 'redis://'), { connectTimeoutMs: 2000 }), (e: unknown) => isLayernasError(e, 'QUEUE_UNREACHABLE'));
  } finally {
    await srv.stop();
  }
});
