/** A printed copy made in training mode says so on its face, on screen and on paper. */
export function TrainingMark({ text }: { text: string }) {
  return (
    <p className="training-mark" role="note">
      {text}
    </p>
  );
}
