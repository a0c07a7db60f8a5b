import { useEffect, useRef, type ReactNode } from 'react';

/**
 * The screen's h1; takes focus when the screen opens so keyboard and screen-reader users land on it.
 * A screen that exists to be typed into (search, a new customer) passes `focus={false}` so its first
 * field keeps the focus (its label is announced instead).
 */
export function ScreenHeading({ children, actions, focus = true }: { children: ReactNode; actions?: ReactNode; focus?: boolean }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus({ preventScroll: false });
  }, [focus]);
  return (
    <div className="screen-heading">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {actions && <div className="screen-actions no-print">{actions}</div>}
    </div>
  );
}
