/**
 * The localisable APNs alert for a plain event: Sygnal's `loc-key` names and argument orders,
 * which iOS apps written for Sygnal carry in their Localizable.strings (so they must not change).
 */
import type { PlainNotification } from '../notification';
import { isPlainObject } from './merge';

export interface LocAlert {
  'loc-key': string;
  'loc-args': string[];
}

/** How an m.room.message is shown: its body as text, as an action (emote), as an image, or not at all. */
type MessageKind = 'image' | 'text' | 'action' | 'bare';

/** Per kind: loc-key with and without a room to name, and the argument order each expects. */
const MESSAGE_ALERTS: Record<MessageKind, {
  inRoom: string;
  direct: string;
  inRoomArgs: (from: string, room: string, body: string) => string[];
  directArgs: (from: string, body: string) => string[];
}> = {
  image: {
    inRoom: 'IMAGE_FROM_USER_IN_ROOM', inRoomArgs: (from, room, body) => [from, body, room],
    direct: 'IMAGE_FROM_USER', directArgs: (from, body) => [from, body],
  },
  text: {
    inRoom: 'MSG_FROM_USER_IN_ROOM_WITH_CONTENT', inRoomArgs: (from, room, body) => [from, room, body],
    direct: 'MSG_FROM_USER_WITH_CONTENT', directArgs: (from, body) => [from, body],
  },
  action: {
    inRoom: 'ACTION_FROM_USER_IN_ROOM', inRoomArgs: (from, room, body) => [room, from, body],
    direct: 'ACTION_FROM_USER', directArgs: (from, body) => [from, body],
  },
  bare: {
    inRoom: 'MSG_FROM_USER_IN_ROOM', inRoomArgs: (from, room) => [from, room],
    direct: 'MSG_FROM_USER', directArgs: (from) => [from],
  },
};

/** Who the alert names: display name, else user id, else a blank (Sygnal shows " "). */
function senderDisplay(n: PlainNotification): string {
  return n.sender_display_name || n.sender || ' ';
}

function messageKind(content: Record<string, unknown> | undefined): { kind: MessageKind; body: string } {
  const body = content?.body;
  const msgtype = content?.msgtype;
  // Without both a msgtype and a string body there is nothing displayable to quote.
  if (typeof body !== 'string' || typeof msgtype !== 'string') return { kind: 'bare', body: '' };
  if (msgtype === 'm.image') return { kind: 'image', body };
  if (msgtype === 'm.emote') return { kind: 'action', body };
  // m.text, m.notice, m.file, …: `body` is always meant to be readable.
  return { kind: 'text', body };
}

function messageAlert(n: PlainNotification): LocAlert {
  const from = senderDisplay(n);
  const room = n.room_name || n.room_alias;
  const { kind, body } = messageKind(n.content);
  const alerts = MESSAGE_ALERTS[kind];
  return room
    ? { 'loc-key': alerts.inRoom, 'loc-args': alerts.inRoomArgs(from, room, body) }
    : { 'loc-key': alerts.direct, 'loc-args': alerts.directArgs(from, body) };
}

/** Only WebRTC offers say whether they carry video. */
function isVideoCall(content: Record<string, unknown> | undefined): boolean {
  const offer = content?.offer;
  return isPlainObject(offer) && typeof offer.sdp === 'string' && offer.sdp.includes('m=video');
}

function inviteAlert(n: PlainNotification): LocAlert | undefined {
  if (!n.user_is_target || n.membership !== 'invite') return undefined;
  const room = n.room_name || n.room_alias;
  const from = senderDisplay(n);
  return room
    ? { 'loc-key': 'USER_INVITE_TO_NAMED_ROOM', 'loc-args': [from, room] }
    : { 'loc-key': 'USER_INVITE_TO_CHAT', 'loc-args': [from] };
}

/** The alert for an event, or undefined when the event is not worth an alert (e.g. a leave). */
export function locAlertFor(n: PlainNotification): LocAlert | undefined {
  switch (n.type) {
    case undefined:
    case '':
      return undefined;
    case 'm.room.message':
    case 'm.room.encrypted':
      return messageAlert(n);
    case 'm.call.invite':
      return { 'loc-key': isVideoCall(n.content) ? 'VIDEO_CALL_FROM_USER' : 'VOICE_CALL_FROM_USER', 'loc-args': [senderDisplay(n)] };
    case 'm.room.member':
      return inviteAlert(n);
    default:
      // Unknown types reached us because a push rule wanted them: say who, generically.
      return { 'loc-key': 'MSG_FROM_USER', 'loc-args': [senderDisplay(n)] };
  }
}
