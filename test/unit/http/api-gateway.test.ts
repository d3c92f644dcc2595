import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { toHttpRequest } from '../../../lambdas/handlers/api-gateway';

/** API Gateway HTTP API events as it sends them (payload 2.0), under the $default stage and under a named one. */
function event(stage: string, rawPath: string, routeKey: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0', routeKey, rawPath, rawQueryString: '', headers: { 'Content-Type': 'application/json' }, body: '{"from":"+12125550100","body":"STOP"}', isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012', apiId: 'abc123', domainName: 'abc123.execute-api.us-east-1.amazonaws.com', domainPrefix: 'abc123', requestId: 'r1', routeKey, stage, time: '', timeEpoch: 0,
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
    },
  };
}

describe('API Gateway events to routes, whatever the stage', () => {
  it('a stage-prefixed path routes as the bare path (an SMS STOP must reach the SMS webhook under /prod)', () => {
    expect(toHttpRequest(event('prod', '/prod/webhooks/bland-sms', 'POST /webhooks/bland-sms')).path).toBe('/webhooks/bland-sms');
    expect(toHttpRequest(event('staging', '/staging/admin/stats/today', 'ANY /admin/{proxy+}')).path).toBe('/admin/stats/today');
    expect(toHttpRequest(event('prod', '/prod', '$default')).path).toBe('/');
  });

  it('the $default stage and paths that only look like a stage are left as they are', () => {
    expect(toHttpRequest(event('$default', '/webhooks/bland-sms', 'POST /webhooks/bland-sms')).path).toBe('/webhooks/bland-sms');
    expect(toHttpRequest(event('prod', '/production/leads', 'POST /production/leads')).path).toBe('/production/leads');
    expect(toHttpRequest(event('prod', '/leads', 'POST /leads')).path).toBe('/leads');
  });
});
