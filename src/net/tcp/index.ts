// The real network: authenticated, length-prefixed, versioned frames over TCP with reconnection.
export { TcpTransport, type TcpTransportOptions, type TransportStats, type PeerAddress } from './transport.js';
export { encodeFrame, decodeBody, FrameReader, FRAME_VERSION, FRAME_MAX_BYTES_DEFAULT, MAC_BYTES, type Frame, type DropReason } from './frame.js';
