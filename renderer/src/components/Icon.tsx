// Icons: small SVGs from assets/icons (ours), drawn in the text colour through a CSS mask.
import type { CSSProperties } from 'react';
import ab from '../../../assets/icons/ab.svg';
import chevronLeft from '../../../assets/icons/chevron-left.svg';
import chevronRight from '../../../assets/icons/chevron-right.svg';
import close from '../../../assets/icons/close.svg';
import copy from '../../../assets/icons/copy.svg';
import dice from '../../../assets/icons/dice.svg';
import explain from '../../../assets/icons/explain.svg';
import exportIcon from '../../../assets/icons/export.svg';
import fit from '../../../assets/icons/fit.svg';
import keyboard from '../../../assets/icons/keyboard.svg';
import lock from '../../../assets/icons/lock.svg';
import loop from '../../../assets/icons/loop.svg';
import marker from '../../../assets/icons/marker.svg';
import pause from '../../../assets/icons/pause.svg';
import pencil from '../../../assets/icons/pencil.svg';
import play from '../../../assets/icons/play.svg';
import plus from '../../../assets/icons/plus.svg';
import redo from '../../../assets/icons/redo.svg';
import region from '../../../assets/icons/region.svg';
import regenerate from '../../../assets/icons/regenerate.svg';
import solo from '../../../assets/icons/solo.svg';
import spectrum from '../../../assets/icons/spectrum.svg';
import stop from '../../../assets/icons/stop.svg';
import trash from '../../../assets/icons/trash.svg';
import undo from '../../../assets/icons/undo.svg';
import unlock from '../../../assets/icons/unlock.svg';
import zoomIn from '../../../assets/icons/zoom-in.svg';
import zoomOut from '../../../assets/icons/zoom-out.svg';

const ICONS = {
  ab: ab,
  'chevron-left': chevronLeft,
  'chevron-right': chevronRight,
  close: close,
  copy: copy,
  dice: dice,
  explain: explain,
  export: exportIcon,
  fit: fit,
  keyboard: keyboard,
  lock: lock,
  loop: loop,
  marker: marker,
  pause: pause,
  pencil: pencil,
  play: play,
  plus: plus,
  redo: redo,
  region: region,
  regenerate: regenerate,
  solo: solo,
  spectrum: spectrum,
  stop: stop,
  trash: trash,
  undo: undo,
  unlock: unlock,
  'zoom-in': zoomIn,
  'zoom-out': zoomOut,
} as const;

/** An icon name. */
export type IconName = keyof typeof ICONS;

/** A decorative icon (hidden from assistive technology: the button around it carries the name). */
export function Icon({ name }: { name: IconName }) {
  return <span className="icon-img" aria-hidden="true" style={{ '--icon': `url("${ICONS[name]}")` } as CSSProperties} />;
}
