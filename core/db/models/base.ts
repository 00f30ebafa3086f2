import { Model } from 'objection';

/** Property names are the column names (snake_case), as in the public JSON. */
export abstract class BaseModel extends Model {
  declare id: string;
  declare created_at: Date;
  declare updated_at: Date;

  override $beforeUpdate(): void {
    this.updated_at = new Date();
  }
}
