// The real network: authenticated, length-prefixed, versioned frames over TCP (or TLS 1.3) with replay
// protection, handshake deadlines, bounded unauthenticated input and reconnection.
export { TcpTransport, certificateNodeId, type TcpTransportOptions, type TransportStats, type TransportDropReason, type PeerAddress, type TlsMaterial } from './transport.js';
export { ReplayWindow, REPLAY_WINDOW, sealData, openData, sessionTag } from './session.js';
export { encodeFrame, decodeBody, FrameReader, FRAME_VERSION, FRAME_MAX_BYTES_DEFAULT, MAC_BYTES, type Frame, type DropReason } from './frame.js';
