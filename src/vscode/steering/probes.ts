import { describeProbe } from '../../core/capabilities';
import { loadClient } from '../clientLoader';
import type { EndpointProbes } from '../endpoints/check';
import { loadTokenizer } from '../tokenizerLoader';
import type { CapabilityStore } from './capabilityStore';

/**
 * Check Endpoint's capability probes (continuing, logit bias, ids, n, scoring) for the endpoint in use, recorded in
 * steering's capability store for its profile and model, and described line by line for the report.
 */
export function capabilityProbes(capabilities: CapabilityStore): EndpointProbes {
  return {
    probe: async (endpoint, signal) => {
      const { settings } = endpoint;
      const { capabilities: known, context, bias } = capabilities.forSettings(settings);
      const client = loadClient();
      const probe = await client.probeCapabilities(client.createClient(endpoint.options), {
        model: settings.model, apiStyle: settings.apiStyle, capabilities: known, endpoint: endpoint.options, endpointLabel: context.endpointLabel,
        tokenizerEncoding: bias.tokenizerEncoding, encode: (text, encoding) => loadTokenizer().encode(text, encoding),
      }, signal);
      await capabilities.record(settings, probe);
      return { probe, lines: describeProbe(probe) };
    },
  };
}
