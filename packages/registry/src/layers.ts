// Lambda layers: published layer versions and their permission policies in KV, their zips in the code Object Store.
export {
  type LayerPolicyStatement,
  type LayerVersionRecord,
  type FunctionLayer,
  layerVersionKey,
  layerCounterKey,
  LAYER_VERSION_KEYS,
  decodeLayerVersion,
  LayerStore,
} from "./layer-version.js";
