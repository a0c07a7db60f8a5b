import { useEffect, useRef, type ReactNode } from 'react';

/** The screen's h1; takes focus when the screen opens so keyboard and screen-reader users land on it. */
export function ScreenHeading({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: false });
  }, []);
  return (
    <div className="screen-heading">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {actions && <div className="screen-actions no-print">{actions}</div>}
    </div>
  );
}
