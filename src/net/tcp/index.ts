// The real network: authenticated, length-prefixed, versioned frames over TCP (or TLS 1.3) with replay
// protection, handshake deadlines, bounded unauthenticated input and reconnection; clients (`client:<id>`)
// that dial in and get their answers on the connection they made.
export { TcpTransport, certificateNodeId, type TcpTransportOptions, type TransportStats, type TransportDropReason, type PeerAddress, type TlsMaterial } from './transport.js';
export { ReplayWindow, REPLAY_WINDOW, sealData, openData, sessionTag, replyTag, freshClientId } from './session.js';
export {
  encodeFrame, decodeBody, FrameReader, FRAME_VERSION, FRAME_MAX_BYTES_DEFAULT, MAC_BYTES, NODE_ID_MAX_BYTES, CLIENT_ID_PREFIX, CLIENT_CERT_ID, isClientId,
  type Frame, type DropReason,
} from './frame.js';
export { freeLoopbackPort } from './free-port.js';
