/**
 * An optional on-screen signature: pointer events cover mouse, touch and pen alike.
 * Reports a PNG data URL after each stroke, or null once cleared.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useT } from '../i18n/I18nProvider';

const WIDTH = 640;
const HEIGHT = 200;

export function SignaturePad({ onChange }: { onChange(png: string | null): void }) {
  const t = useT();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const drawing = useRef<{ x: number; y: number } | null>(null);
  const [hasInk, setHasInk] = useState(false);
  const labelId = useId();

  useEffect(() => {
    const ctx = canvasRef.current?.getContext('2d');
    if (!ctx) return;
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#111827';
  }, []);

  // The canvas is scaled by CSS; map the pointer into its own pixel grid.
  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - rect.left) * WIDTH) / rect.width, y: ((e.clientY - rect.top) * HEIGHT) / rect.height };
  };

  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    const p = point(e);
    drawing.current = p;
    const ctx = e.currentTarget.getContext('2d');
    if (!ctx) return;
    // a dot, so a tap leaves a mark
    ctx.beginPath();
    ctx.arc(p.x, p.y, ctx.lineWidth / 2, 0, Math.PI * 2);
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fill();
  };

  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const from = drawing.current;
    const ctx = e.currentTarget.getContext('2d');
    if (!from || !ctx) return;
    const to = point(e);
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    drawing.current = to;
  };

  const finishStroke = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (!drawing.current) return;
    drawing.current = null;
    setHasInk(true);
    onChange(e.currentTarget.toDataURL('image/png'));
  };

  const clear = () => {
    const canvas = canvasRef.current;
    canvas?.getContext('2d')?.clearRect(0, 0, WIDTH, HEIGHT);
    setHasInk(false);
    onChange(null);
  };

  return (
    <div className="signature">
      <p className="signature-label" id={labelId}>
        {t('terms.signature.label')}
      </p>
      <canvas
        ref={canvasRef}
        width={WIDTH}
        height={HEIGHT}
        className="signature-canvas"
        role="img"
        aria-labelledby={labelId}
        aria-description={hasInk ? t('terms.signature.drawn') : t('terms.signature.empty')}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={finishStroke}
        onPointerCancel={finishStroke}
      />
      <div className="signature-actions">
        <span className="hint" role="status">
          {hasInk ? t('terms.signature.drawn') : t('terms.signature.empty')}
        </span>
        <button type="button" onClick={clear} disabled={!hasInk}>
          {t('terms.signature.clear')}
        </button>
      </div>
    </div>
  );
}
