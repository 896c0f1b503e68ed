// Errors stay on screen in a role=alert until dismissed: nothing the studio reports is swallowed.
import { getStore, useStudio } from '../state/store';
import { Icon } from './Icon';

export function Alerts() {
  const errors = useStudio((s) => s.errors);
  if (errors.length === 0) return <div className="alerts" />;
  return (
    <div className="alerts">
      {errors.map((e) => (
        <div key={e.id} className="alert" role="alert">
          <span>{e.message}</span>
          <button type="button" className="btn icon" aria-label="Dismiss error" onClick={() => getStore().dismissError(e.id)}>
            <Icon name="close" />
          </button>
        </div>
      ))}
    </div>
  );
}
