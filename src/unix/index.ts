/** Unix-domain sockets beyond what Node offers, over the socklab_native addon. */
export { isNativeAvailable } from "./native.js";
export type { UnixBindTarget, UnixDatagramPeer, UnixSocketTarget } from "./sockaddr.js";
export { formatUnixPeer } from "./sockaddr.js";
export {
  UnixDatagramSocket,
  type UnixDatagramMessage,
  type UnixDatagramMessageInfo,
  type UnixDatagramSocketOptions,
} from "./datagram.js";
export {
  connectAbstractStream,
  connectUnixStream,
  listenAbstractStream,
  listenUnixStream,
  type ConnectUnixStreamOptions,
  type ListenUnixStreamOptions,
} from "./stream.js";
export { peerCredentials, type PeerCredentials } from "./credentials.js";
export {
  closeDescriptors,
  descriptorKind,
  MAX_DESCRIPTORS,
  readDescriptor,
  receiveDescriptors,
  sendDescriptors,
  type DescriptorKind,
  type DescriptorOptions,
  type ReceiveDescriptorsOptions,
  type ReceivedDescriptors,
  type SentDescriptors,
} from "./descriptors.js";
export { prepareSocketPath } from "./socket-path.js";
export { socketDescriptor } from "./handle.js";
